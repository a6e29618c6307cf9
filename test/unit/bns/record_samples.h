// Name and preorder records for the tests of their stored and JSON forms: a
// typical one, and cases whose fields are unusual (escapes, UTF-8, hex that is
// not lowercase or of odd length, empty strings, float and extreme fees).
#pragma once

#include <limits>
#include <string>
#include <vector>

#include <bns/records.h>

namespace blockstack::bns::test_samples {

inline NameRecord Registered() {
  NameRecord r;
  r.name = "alice.id";
  r.namespace_id = "id";
  r.preorder_hash = "5bd7a4d1d4a4b6c2bd7b8c9f37ea2b1e8ba0e3f4";
  r.name_hash128 = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  r.namespace_block_number = 373601;
  r.value_hash = "4b0e4b3a7f4b2a0c6a3e0d1a2b3c4d5e6f708192";
  r.sender = "76a914" + std::string(40, 'd') + "88ac";
  r.sender_pubkey = "02" + std::string(64, 'e');
  r.address = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT";
  r.block_number = 400000;
  r.preorder_block_number = 399999;
  r.first_registered = 400000;
  r.last_renewed = 410000;
  r.op = ":";
  r.txid = std::string(64, 'f');
  r.vtxindex = 7;
  r.op_fee = int64_t{6400000};
  r.token_fee = "0";
  r.last_creation_op = "?";
  return r;
}

inline std::vector<NameRecord> NameCases() {
  std::vector<NameRecord> cases{Registered(), NameRecord{}};
  NameRecord imported = Registered();
  imported.op = ";";
  imported.last_creation_op = ";";
  imported.importer = "76a914" + std::string(40, '1') + "88ac";
  imported.importer_address = "1Importer";
  imported.sender_pubkey.reset();
  imported.value_hash.reset();
  for (double fee : {0.0, 100000.0, 6400000.0, 1e16, 1.5, 12345678901234.0, 0.1, -2.25}) {
    imported.op_fee = fee;
    cases.push_back(imported);
  }
  NameRecord odd = Registered();
  odd.revoked = true;
  odd.consensus_hash = std::string(32, '0');
  odd.op_fee = int64_t{-5};
  odd.token_fee = "123456789012345678901234567890";
  odd.name = std::string("q\"uo\\te\n\t\x01\x1f\x7f") + "\xc3\xa9.id";  // escapes and UTF-8
  cases.push_back(odd);
  NameRecord odd_hex = Registered();
  odd_hex.preorder_hash = "ABCDEF";  // uppercase
  odd_hex.name_hash128 = "abc";      // odd length
  odd_hex.value_hash = "";           // empty, not absent
  odd_hex.sender = "0g";             // not hex
  odd_hex.sender_pubkey = std::string("\0\x01", 2);
  odd_hex.txid = "00";
  odd_hex.op_fee = std::numeric_limits<int64_t>::min();
  odd_hex.block_number = odd_hex.last_renewed = odd_hex.first_registered = 0xffffffff;
  cases.push_back(odd_hex);
  NameRecord max_fee = Registered();
  max_fee.op_fee = std::numeric_limits<int64_t>::max();
  cases.push_back(max_fee);
  return cases;
}

inline PreorderRecord Preorder() {
  PreorderRecord p;
  p.preorder_hash = std::string(40, 'a');
  p.consensus_hash = std::string(32, 'b');
  p.sender = "76a914" + std::string(40, '2') + "88ac";
  p.sender_pubkey = "02" + std::string(64, '3');
  p.address = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT";
  p.block_number = 373601;
  p.op = "?";
  p.op_fee = 6400000;
  p.txid = std::string(64, 'c');
  p.vtxindex = 9;
  p.burn_address = "1111111111111111111114oLvT2";
  return p;
}

inline std::vector<PreorderRecord> PreorderCases() {
  std::vector<PreorderRecord> cases{Preorder(), PreorderRecord{}};
  PreorderRecord odd = Preorder();
  odd.sender_pubkey.reset();
  odd.op = "*";
  odd.op_fee = -1;
  odd.consensus_hash = "not hex";
  odd.token_units = "STACKS";
  odd.token_fee = "123456789012345678901234567890";
  odd.address = std::string("q\"uo\\te\n\x01\x7f") + "\xc3\xa9";
  cases.push_back(odd);
  return cases;
}

}  // namespace blockstack::bns::test_samples
