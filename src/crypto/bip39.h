// BIP39 mnemonics (English wordlist): words to entropy with the checksum checked,
// entropy to words, and the 64-byte seed of a mnemonic and passphrase.
#pragma once

#include <string>
#include <string_view>

#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::crypto {

// The words of a mnemonic separated by single spaces: leading, trailing and
// repeated white space dropped. Words are not otherwise changed.
std::string CanonicalMnemonic(std::string_view mnemonic);

// The entropy of a 12, 15, 18, 21 or 24-word mnemonic. Fails with InvalidArgument
// naming the first word not in the list, or saying the word count or the checksum
// is wrong.
util::Result<util::Bytes> MnemonicToEntropy(std::string_view mnemonic);
// 16, 20, 24, 28 or 32 bytes of entropy as words; InvalidArgument otherwise.
util::Result<std::string> EntropyToMnemonic(util::ByteView entropy);
// A new mnemonic of 12 (128-bit) to 24 (256-bit) words from the system CSPRNG.
util::Result<std::string> GenerateMnemonic(std::size_t words);

// PBKDF2-HMAC-SHA512(NFKD(mnemonic), "mnemonic" + NFKD(passphrase), 2048), the
// mnemonic canonical and checked first. Fails as MnemonicToEntropy does, or with
// InvalidArgument when the passphrase is not UTF-8.
util::Result<util::FixedBytes<64>> MnemonicToSeed(std::string_view mnemonic, std::string_view passphrase);

// Unicode normalisation form KD of UTF-8 text (ICU). Fails with InvalidArgument on
// text that is not UTF-8.
util::Result<std::string> Nfkd(std::string_view utf8);

}  // namespace blockstack::crypto
