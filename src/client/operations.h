// Transactions of the name operations in the shapes blockstack.js makes (spec
// bns.md §6 "client transaction shapes" and §2's output rules), funded from a
// party's UTXOs with fee and change, and signed. The OP_RETURN payloads come from
// the caller (bns/ops builds them); this part only shapes, funds and signs.
#pragma once

#include <optional>
#include <vector>

#include <bitcoin/rpc/rpc_client.h>
#include <client/tx_builder.h>

namespace blockstack::client {

// The value of the marker outputs that name a recipient (blockstack.js DUST_MINIMUM).
inline constexpr int64_t RECIPIENT_OUTPUT_VALUE = 5500;

// Who spends (a key, a multisig, a segwit key) and the outputs it can spend.
// Building a transaction takes the inputs it spent out of utxos and adds the
// change it received, so the next transaction can follow without asking the
// wallet again.
struct Party {
  bitcoin::Spender spender;
  std::vector<Utxo> utxos;
  const util::Bytes& Script() const { return spender.ScriptPubKey(); }
};

// The spendable outputs of script in the Bitcoin node's wallet (listunspent,
// unconfirmed included, the key must be imported): oldest first. Works against
// bitcoind and bcoin: bcoin also lists coinbase outputs not yet spendable, which
// are left out by asking node (gettxout) about outputs under 100 confirmations.
util::Result<std::vector<Utxo>> WalletUtxos(bitcoin::rpc::RpcClient& wallet, const util::Bytes& script,
                                            bitcoin::rpc::RpcClient* node = nullptr);

struct FeePolicy {
  int64_t sat_per_byte = 10;
};

// NAME_PREORDER and NAMESPACE_PREORDER: [OP_RETURN, payer change, burn].
util::Result<BuiltTx> PreorderTx(const util::Bytes& payload, Party& payer, const bitcoin::TxOut& burn, FeePolicy fee = {});
// NAME_REGISTRATION and NAMESPACE_REVEAL: [OP_RETURN, recipient 5500, payer change].
util::Result<BuiltTx> RecipientTx(const util::Bytes& payload, Party& payer, const util::Bytes& recipient_script,
                                  FeePolicy fee = {});
// NAMESPACE_READY: [OP_RETURN, change]; the sender must be the revealer.
util::Result<BuiltTx> SenderTx(const util::Bytes& payload, Party& sender, FeePolicy fee = {});
// NAME_IMPORT: [OP_RETURN, recipient 5500, p2pkh(zone-file hash) 5500, change].
util::Result<BuiltTx> ImportTx(const util::Bytes& payload, Party& importer, const util::Bytes& recipient_script,
                               const util::Hash160& zonefile_hash, FeePolicy fee = {});
// NAME_RENEWAL: [OP_RETURN, new owner 5500, old owner 5500, burn, payer change]
// (owner and payer the same: [OP_RETURN, new owner 5500, change, burn]).
util::Result<BuiltTx> RenewTx(const util::Bytes& payload, Party& owner, Party* payer,
                              const util::Bytes& new_owner_script, const bitcoin::TxOut& burn, FeePolicy fee = {});
// NAME_UPDATE, NAME_REVOKE (no recipient) and NAME_TRANSFER (recipient 5500 after
// the OP_RETURN): the owner's UTXO is input 0 and its value goes back to the owner,
// the payer pays the fee: [OP_RETURN, (recipient,) owner change, payer change]. With
// no separate payer the owner pays: [OP_RETURN, (recipient,) change].
util::Result<BuiltTx> OwnerTx(const util::Bytes& payload, Party& owner, Party* payer,
                              const std::optional<util::Bytes>& recipient_script, FeePolicy fee = {});

}  // namespace blockstack::client
