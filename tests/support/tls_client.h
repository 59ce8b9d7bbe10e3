// TLS for the server tests, with OpenSSL directly (not Beast, so a shared bug cannot hide on both
// sides): a self-signed certificate made in the test, and a client over a POSIX socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace orgledger::testing {

struct TestCertificate {
  std::string certificate_file;  // PEM, self-signed, for 127.0.0.1 (subjectAltName IP)
  std::string key_file;          // PEM, its EC P-256 private key
};
// Writes a fresh key and certificate into `directory`; nullopt when OpenSSL fails.
std::optional<TestCertificate> make_self_signed_certificate(const std::string& directory);

// Connects to 127.0.0.1:port, completes a TLS handshake that verifies the server against
// `trusted_certificate_file` (and its name 127.0.0.1), sends `request`, and returns what comes back
// until the server closes, `timeout` passes, or the answer holds `until` (when not empty).
// nullopt when the connection or the handshake fails.
std::optional<std::string> tls_exchange(std::uint16_t port, const std::string& trusted_certificate_file,
                                        const std::string& request, std::chrono::milliseconds timeout,
                                        const std::string& until = "");

}  // namespace orgledger::testing
