//! Where webhooks may go: receivers on public addresses only (unless configuration allows
//! private ones), checked when an endpoint is saved and again when a request connects, so a name
//! that later resolves to a private address (DNS rebinding) is refused too.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::error::AppError;

/// Longest accepted endpoint URL.
const URL_MAX_CHARS: usize = 2000;

/// A resolver that keeps only public addresses.
pub(super) struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err("the receiver's address is in a private or reserved range".into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether `ip` is a globally routable unicast address (not loopback, private, link-local,
/// shared, documentation, multicast or otherwise reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inside sites)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x2001 && s[1] == 0x0000) // Teredo: tunnels to any IPv4 address
                || s[0] == 0x2002 // 6to4: likewise
                || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64
                || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only
                || (s[0..4] == [0, 0, 0, 0] && s[4] == 0xffff && s[5] == 0) // IPv4-translated
                || (s[0..6] == [0, 0, 0, 0, 0, 0])) // IPv4-compatible
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // shared address space (CGNAT)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking
        || o[0] >= 240)
}

/// Checks an endpoint URL: http(s) only, no credentials in it, https unless private receivers
/// are allowed, and no private or loopback address literal or `localhost` unless allowed.
pub fn validate_url(text: &str, allow_private: bool) -> Result<url::Url, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::Validation("Enter the endpoint's URL.".into()));
    }
    if text.chars().count() > URL_MAX_CHARS {
        return Err(AppError::Validation(format!(
            "The URL has at most {URL_MAX_CHARS} characters."
        )));
    }
    let url = url::Url::parse(text).map_err(|_| {
        AppError::Validation("Enter a full URL, like https://api.example.com/hooks.".into())
    })?;
    if !(url.scheme() == "https" || (url.scheme() == "http" && allow_private)) {
        return Err(AppError::Validation(
            "Webhook endpoints must use https.".into(),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AppError::Validation(
            "Put no user name or password in the URL; verify the signature instead.".into(),
        ));
    }
    if url.fragment().is_some() {
        return Err(AppError::Validation(
            "Remove the #fragment from the URL.".into(),
        ));
    }
    let private = match url.host() {
        None => {
            return Err(AppError::Validation("The URL has no host.".into()));
        }
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost") || d.ends_with(".local")
        }
    };
    if private && !allow_private {
        return Err(AppError::Validation(
            "That address is private or local; Authlink sends webhooks only to public addresses."
                .into(),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_refused_at_connect_time() {
        use reqwest::dns::Resolve;
        use std::str::FromStr;

        let name = reqwest::dns::Name::from_str("localhost").expect("name");
        let refused = PublicOnly.resolve(name).await;
        assert!(refused.is_err());
    }

    #[test]
    fn private_and_reserved_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:192.168.0.1",
            "::ffff:169.254.169.254",
            "::ffff:0:10.0.0.1",
            "fec0::1",
            "feff::1",
            "2002:c0a8:0101::1",
            "2002:0808:0808::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "100::1",
        ] {
            assert!(
                !is_public(ip.parse().expect("address")),
                "{ip} is not public"
            );
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().expect("address")), "{ip} is public");
        }
    }

    #[test]
    fn endpoint_urls_are_checked() {
        assert!(validate_url("https://hooks.example.com/in", false).is_ok());
        for bad in [
            "http://hooks.example.com/in",
            "https://127.0.0.1/in",
            "https://[::1]/in",
            "https://localhost/in",
            "https://10.0.0.8/in",
            "https://169.254.169.254/latest",
            "https://[::ffff:10.0.0.1]/in",
            "https://[2002:c0a8:101::1]/in",
            "https://[fec0::1]/in",
            "https://user:pw@hooks.example.com/in",
            "ftp://hooks.example.com/in",
            "javascript:alert(1)",
            "",
        ] {
            assert!(validate_url(bad, false).is_err(), "{bad:?} refused");
        }
        assert!(validate_url("http://127.0.0.1:9000/in", true).is_ok());
    }
}
