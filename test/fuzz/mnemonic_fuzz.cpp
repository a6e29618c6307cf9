// Mnemonics and passphrases as a user's file gives them (and encrypted mnemonics
// decrypt to entropy that becomes words): any bytes give an error or words that
// read back to the same entropy; NFKD of any text is an error or a fixed point.
#include <crypto/bip39.h>
#include <util/bytes.h>

#include <cstdlib>
#include <string>
#include <string_view>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // 1. The input as a mnemonic: accepted words are the canonical text of their entropy.
  if (auto entropy = crypto::MnemonicToEntropy(input)) {
    auto words = crypto::EntropyToMnemonic(*entropy);
    if (!words || *words != crypto::CanonicalMnemonic(input)) std::abort();
  }

  // 2. The input as entropy: words of valid entropy read back to it.
  auto words = crypto::EntropyToMnemonic(util::ByteView(data, size));
  if (words) {
    auto back = crypto::MnemonicToEntropy(*words);
    if (!back || *back != util::Bytes(data, data + size)) std::abort();
  } else if (size >= 16 && size <= 32 && size % 4 == 0) {
    std::abort();
  }

  // 3. The input as a passphrase: NFKD is idempotent.
  if (auto n = crypto::Nfkd(input)) {
    auto again = crypto::Nfkd(*n);
    if (!again || *again != *n) std::abort();
  }
  return 0;
}
