#include "tls_client.h"

#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

namespace orgledger::testing {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Context = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX, SSL_CTX_free>>;
using Connection = std::unique_ptr<SSL, Deleter<SSL, SSL_free>>;

bool write_pem(const std::string& path, auto write) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return false;
  const bool ok = write(file) == 1;
  return std::fclose(file) == 0 && ok;
}


}  // namespace

std::optional<TestCertificate> make_self_signed_certificate(const std::string& directory) {
  Key key(EVP_EC_gen("P-256"));
  Certificate certificate(X509_new());
  if (!key || !certificate) return std::nullopt;
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 24 * 3600);
  X509_set_pubkey(certificate.get(), key.get());
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(certificate.get(), name);
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate.get(), certificate.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"}, std::pair{NID_basic_constraints, "CA:TRUE"}}) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    if (extension == nullptr) return std::nullopt;
    X509_add_ext(certificate.get(), extension, -1);
    X509_EXTENSION_free(extension);
  }
  if (X509_sign(certificate.get(), key.get(), EVP_sha256()) == 0) return std::nullopt;
  TestCertificate out{directory + "/cert.pem", directory + "/key.pem"};
  if (!write_pem(out.certificate_file, [&](std::FILE* f) { return PEM_write_X509(f, certificate.get()); }) ||
      !write_pem(out.key_file, [&](std::FILE* f) {
        return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
      })) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> tls_exchange(std::uint16_t port, const std::string& trusted_certificate_file,
                                        const std::string& request, std::chrono::milliseconds timeout,
                                        const std::string& until) {
  Context context(SSL_CTX_new(TLS_client_method()));
  if (!context || SSL_CTX_load_verify_locations(context.get(), trusted_certificate_file.c_str(), nullptr) != 1)
    return std::nullopt;
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  const int fd = connect_loopback(port);
  if (fd < 0) return std::nullopt;
  Connection tls(SSL_new(context.get()));
  SSL_set_fd(tls.get(), fd);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls.get()), "127.0.0.1");
  std::optional<std::string> out;
  if (SSL_connect(tls.get()) == 1 && SSL_write(tls.get(), request.data(), static_cast<int>(request.size())) > 0) {
    out.emplace();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (until.empty() || out->find(until) == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) break;
      if (SSL_pending(tls.get()) == 0) {
        pollfd watch{fd, POLLIN, 0};
        if (::poll(&watch, 1, static_cast<int>(left)) <= 0) break;
      }
      char chunk[16384];
      const int got = SSL_read(tls.get(), chunk, sizeof chunk);
      if (got <= 0) {
        if (SSL_get_error(tls.get(), got) == SSL_ERROR_WANT_READ) continue;
        break;
      }
      out->append(chunk, static_cast<std::size_t>(got));
    }
  }
  tls.reset();
  ::close(fd);
  return out;
}

}  // namespace orgledger::testing
