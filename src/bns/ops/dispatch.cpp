// Parsing by opcode and checking by operation type.
#include <bns/ops/ops.h>

namespace blockstack::bns::ops {

std::optional<ParsedOp> ParseOp(const OpTx& tx, const Rules& rules) {
  auto wrap = [](auto opt) -> std::optional<ParsedOp> {
    if (!opt) return std::nullopt;
    return ParsedOp(std::move(*opt));
  };
  switch (tx.opcode) {
    case NAME_PREORDER: return wrap(ParseNamePreorder(tx, rules));
    case NAME_REGISTRATION: return wrap(ParseRegistration(tx, rules));
    case NAME_UPDATE: return wrap(ParseUpdate(tx, rules));
    case NAME_TRANSFER: return wrap(ParseTransfer(tx, rules));
    case NAME_REVOKE: return wrap(ParseRevoke(tx, rules));
    case NAME_IMPORT: return wrap(ParseImport(tx, rules));
    case NAMESPACE_PREORDER: return wrap(ParseNamespacePreorder(tx, rules));
    case NAMESPACE_REVEAL: return wrap(ParseReveal(tx, rules));
    case NAMESPACE_READY: return wrap(ParseReady(tx, rules));
    case ANNOUNCE: return wrap(ParseAnnounce(tx, rules));
    case TOKEN_TRANSFER: return wrap(ParseTokenTransfer(tx, rules));
    default: return std::nullopt;
  }
}

std::optional<std::string> CreationKey(const ParsedOp& op) {
  if (const auto* reg = std::get_if<RegistrationOp>(&op)) {
    if (!reg->renewal) return reg->name;
  }
  if (const auto* rev = std::get_if<RevealOp>(&op)) return rev->namespace_id;
  return std::nullopt;
}

util::Result<Outcome> CheckOp(const ParsedOp& op, const OpTx& tx, StateView& state, BlockContext& block,
                              const Rules& rules) {
  return std::visit(
      [&](const auto& o) -> util::Result<Outcome> {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, NamePreorderOp>) return CheckNamePreorder(o, tx, state, block, rules);
        else if constexpr (std::is_same_v<T, RegistrationOp>) return CheckRegistration(o, tx, state, block, rules);
        else if constexpr (std::is_same_v<T, UpdateOp>) return CheckUpdate(o, tx, state, block, rules);
        else if constexpr (std::is_same_v<T, TransferOp>) return CheckTransfer(o, tx, state, block, rules);
        else if constexpr (std::is_same_v<T, RevokeOp>) return CheckRevoke(o, tx, state, block, rules);
        else if constexpr (std::is_same_v<T, ImportOp>) return CheckImport(o, tx, state, block, rules);
        else if constexpr (std::is_same_v<T, NamespacePreorderOp>) return CheckNamespacePreorder(o, tx, state, block, rules);
        else if constexpr (std::is_same_v<T, RevealOp>) return CheckReveal(o, tx, state, block, rules);
        else if constexpr (std::is_same_v<T, ReadyOp>) return CheckReady(o, tx, state, block, rules);
        else if constexpr (std::is_same_v<T, AnnounceOp>) return CheckAnnounce(o, tx, state, block, rules);
        else return CheckTokenTransfer(o, tx, state, block, rules);
      },
      op);
}

const char* OpName(const ParsedOp& op) {
  static constexpr const char* NAMES[] = {"NAME_PREORDER", "NAME_REGISTRATION", "NAME_UPDATE", "NAME_TRANSFER",
                                          "NAME_REVOKE", "NAME_IMPORT", "NAMESPACE_PREORDER", "NAMESPACE_REVEAL",
                                          "NAMESPACE_READY", "ANNOUNCE", "TOKEN_TRANSFER"};
  if (const auto* reg = std::get_if<RegistrationOp>(&op); reg && reg->renewal) return "NAME_RENEWAL";
  return NAMES[op.index()];
}

}  // namespace blockstack::bns::ops
