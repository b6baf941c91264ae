//! TLS for `--ca-bundle FILE`: the bundle's certificates are the trust anchors (as with
//! curl --cacert and the SDK's `verify=FILE`), and a server certificate that is itself in
//! the bundle is accepted even when it is a CA certificate. `openssl req -x509` makes such
//! self-signed certificates (CA:TRUE) by default; webpki refuses them as end entities, curl
//! and Python accept them because they are pinned in the bundle.

use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

use crate::ClientError;

/// The certificates of a PEM bundle; a file without any is a usage error.
pub fn read_bundle(path: &Path) -> Result<Vec<CertificateDer<'static>>, ClientError> {
    let pem = std::fs::read(path).map_err(|e| {
        ClientError::bad_input(format!("cannot read CA bundle {}: {e}", path.display()))
            .with_hint("pass a PEM file with --ca-bundle or fix CLEARML_API_HOST_VERIFY_CERT")
    })?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|_| not_pem(path))?;
    if certs.is_empty() {
        return Err(not_pem(path));
    }
    Ok(certs)
}

fn not_pem(path: &Path) -> ClientError {
    ClientError::bad_input(format!("no PEM certificate in CA bundle {}", path.display())).with_hint(
        "give a file with '-----BEGIN CERTIFICATE-----' blocks (convert DER with 'openssl x509 -inform der')",
    )
}

/// A rustls client configuration trusting exactly the bundle.
pub fn bundle_config(
    certs: Vec<CertificateDer<'static>>,
) -> Result<rustls::ClientConfig, ClientError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    // A certificate webpki cannot use as an anchor is still usable as a pin.
    let (added, _) = roots.add_parsable_certificates(certs.iter().cloned());
    let inner = if added > 0 {
        Some(
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| ClientError::bad_input(format!("unusable CA bundle: {e}")))?,
        )
    } else {
        None
    };
    let verifier = BundleVerifier {
        inner,
        pinned: certs,
        provider: provider.clone(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::failed(format!("TLS setup failed: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(config)
}

#[derive(Debug)]
struct BundleVerifier {
    inner: Option<Arc<WebPkiServerVerifier>>,
    pinned: Vec<CertificateDer<'static>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl BundleVerifier {
    /// The presented certificate is byte-for-byte one of the bundle's and names the host.
    fn pinned_match(&self, end_entity: &CertificateDer<'_>, server_name: &ServerName<'_>) -> bool {
        if !self
            .pinned
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref())
        {
            return false;
        }
        rustls::server::ParsedCertificate::try_from(end_entity)
            .and_then(|cert| rustls::client::verify_server_name(&cert, server_name))
            .is_ok()
    }
}

/// Whether webpki refused the certificate only for being a CA certificate.
fn is_ca_used_as_end_entity(err: &Error) -> bool {
    matches!(err, Error::InvalidCertificate(CertificateError::Other(other))
        if format!("{other:?}").contains("CaUsedAsEndEntity"))
}

impl ServerCertVerifier for BundleVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verdict = match &self.inner {
            Some(inner) => {
                inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Err(Error::InvalidCertificate(CertificateError::UnknownIssuer)),
        };
        match verdict {
            Err(e)
                if (is_ca_used_as_end_entity(&e) || self.inner.is_none())
                    && self.pinned_match(end_entity, server_name) =>
            {
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A person's reading of a TLS failure, instead of rustls's Debug text.
pub fn describe_tls_failure(text: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        (
            "CaUsedAsEndEntity",
            "the server's certificate is a CA certificate (self-signed with CA:TRUE) that is not in the CA bundle",
        ),
        (
            "UnknownIssuer",
            "the server's certificate is signed by an unknown CA (UnknownIssuer)",
        ),
        (
            "NotValidForName",
            "the server's certificate is not valid for this host name",
        ),
        ("Expired", "the server's certificate has expired"),
        ("NotValidYet", "the server's certificate is not valid yet"),
        ("Revoked", "the server's certificate is revoked"),
        (
            "BadSignature",
            "the server's certificate has a bad signature",
        ),
        ("BadEncoding", "the server's certificate is malformed"),
        (
            "corrupt message",
            "the server did not answer with TLS (is it http://?)",
        ),
        (
            "InvalidContentType",
            "the server did not answer with TLS (is it http://?)",
        ),
    ];
    for (needle, meaning) in KNOWN {
        if text.contains(needle) {
            return (*meaning).to_string();
        }
    }
    // Keep the words, drop Debug structure such as `Other(OtherError(..))`.
    let plain = text
        .split('(')
        .next()
        .unwrap_or(text)
        .trim_end_matches([':', ' ']);
    format!("TLS handshake failed: {plain}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_certificates_is_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.pem");
        std::fs::write(&bad, "this is not a certificate\n").unwrap();
        let err = read_bundle(&bad).unwrap_err();
        assert_eq!(err.kind, crate::Kind::BadInput);
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
    }

    #[test]
    fn failures_read_as_sentences() {
        let m =
            describe_tls_failure("invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))");
        assert!(m.contains("CA certificate"), "{m}");
        assert!(!m.contains("OtherError"), "{m}");
        let m = describe_tls_failure("invalid peer certificate: SomethingNew(Detail)");
        assert_eq!(
            m,
            "TLS handshake failed: invalid peer certificate: SomethingNew"
        );
    }
}
