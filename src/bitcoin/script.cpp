#include <bitcoin/script.h>

#include <cstring>

#include <util/serialize.h>

namespace blockstack::bitcoin {

const char* ScriptTypeName(ScriptType type) {
  switch (type) {
    case ScriptType::P2pkh: return "p2pkh";
    case ScriptType::P2sh: return "p2sh";
    case ScriptType::P2wpkh: return "p2wpkh";
    case ScriptType::P2wsh: return "p2wsh";
    case ScriptType::NullData: return "nulldata";
    case ScriptType::Other: return "nonstandard";
  }
  return "nonstandard";
}

util::Result<std::vector<ScriptToken>> TokenizeScript(ByteView script) {
  std::vector<ScriptToken> out;
  util::ByteReader r(script);
  while (!r.AtEnd()) {
    ScriptToken tok;
    tok.opcode = *r.U8();
    if (tok.opcode <= OP_PUSHDATA4) {
      tok.is_push = true;
      std::size_t len = tok.opcode;
      if (tok.opcode == OP_PUSHDATA1) {
        auto n = r.U8();
        if (!n) return util::Fail(util::ErrorCode::Corruption, "script: truncated OP_PUSHDATA1 length");
        len = *n;
      } else if (tok.opcode == OP_PUSHDATA2) {
        auto n = r.U16LE();
        if (!n) return util::Fail(util::ErrorCode::Corruption, "script: truncated OP_PUSHDATA2 length");
        len = *n;
      } else if (tok.opcode == OP_PUSHDATA4) {
        auto n = r.U32LE();
        if (!n) return util::Fail(util::ErrorCode::Corruption, "script: truncated OP_PUSHDATA4 length");
        len = *n;
      }
      auto data = r.Take(len);
      if (!data) {
        return util::Fail(util::ErrorCode::Corruption,
                          "script: push of " + std::to_string(len) + " bytes runs past the end");
      }
      tok.data = *data;
    }
    out.push_back(tok);
  }
  return out;
}

ScriptType ClassifyScript(ByteView s) {
  if (s.size() == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == 20 && s[23] == OP_EQUALVERIFY &&
      s[24] == OP_CHECKSIG) {
    return ScriptType::P2pkh;
  }
  if (s.size() == 23 && s[0] == OP_HASH160 && s[1] == 20 && s[22] == OP_EQUAL) return ScriptType::P2sh;
  if (s.size() == 22 && s[0] == OP_0 && s[1] == 20) return ScriptType::P2wpkh;
  if (s.size() == 34 && s[0] == OP_0 && s[1] == 32) return ScriptType::P2wsh;
  if (!s.empty() && s[0] == OP_RETURN) return ScriptType::NullData;
  return ScriptType::Other;
}

std::optional<ByteView> OpReturnPayload(ByteView script) {
  if (script.empty() || script[0] != OP_RETURN) return std::nullopt;
  auto tokens = TokenizeScript(script);
  if (!tokens || tokens->size() != 2 || !(*tokens)[1].is_push) return std::nullopt;
  return (*tokens)[1].data;
}

std::optional<util::Hash160> ScriptHash160(ByteView script) {
  std::size_t offset = 0;
  switch (ClassifyScript(script)) {
    case ScriptType::P2pkh: offset = 3; break;
    case ScriptType::P2sh: offset = 2; break;
    case ScriptType::P2wpkh: offset = 2; break;
    default: return std::nullopt;
  }
  util::Hash160 h;
  std::memcpy(h.data.data(), script.data() + offset, 20);
  return h;
}

void AppendPush(Bytes& script, ByteView data) {
  const std::size_t n = data.size();
  if (n < OP_PUSHDATA1) {
    script.push_back(static_cast<uint8_t>(n));
  } else if (n <= 0xff) {
    script.push_back(OP_PUSHDATA1);
    script.push_back(static_cast<uint8_t>(n));
  } else if (n <= 0xffff) {
    script.push_back(OP_PUSHDATA2);
    script.push_back(static_cast<uint8_t>(n));
    script.push_back(static_cast<uint8_t>(n >> 8));
  } else {
    script.push_back(OP_PUSHDATA4);
    for (int i = 0; i < 4; ++i) script.push_back(static_cast<uint8_t>(n >> (8 * i)));
  }
  script.insert(script.end(), data.begin(), data.end());
}

Bytes MakeP2pkhScript(const util::Hash160& h) {
  Bytes s{OP_DUP, OP_HASH160, 20};
  s.insert(s.end(), h.begin(), h.end());
  s.push_back(OP_EQUALVERIFY);
  s.push_back(OP_CHECKSIG);
  return s;
}

Bytes MakeP2shScript(const util::Hash160& h) {
  Bytes s{OP_HASH160, 20};
  s.insert(s.end(), h.begin(), h.end());
  s.push_back(OP_EQUAL);
  return s;
}

util::Result<Bytes> MakeOpReturnScript(ByteView data) {
  if (data.size() > 520) return util::Fail(util::ErrorCode::TooLarge, "OP_RETURN data over 520 bytes");
  Bytes s{OP_RETURN};
  AppendPush(s, data);
  return s;
}

}  // namespace blockstack::bitcoin
