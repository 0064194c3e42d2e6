//! Channels that deliver messages to customers: one-time codes directly, outage notices through
//! the outbox ([`crate::outbox`]). A [`Notifier`] is one channel: a notification log file (the
//! demo and development default, the stand-in for an SMS gateway), a webhook (an SMS gateway's
//! HTTP API), SMTP e-mail (lettre), or memory (tests).
//!
//! Every message carries a stable idempotency key. The outbox sends a message again under the
//! same key when a dispatcher died before recording the outcome, so channels pass the key on
//! (`Idempotency-Key` header, `Message-ID`) or, for the log file, skip a key already written.

use serde::Serialize;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;

/// One message to one recipient.
#[derive(Clone, Serialize)]
pub struct Notification {
    /// The same on every attempt of one message.
    pub key: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// "sms", "email".
    pub channel: &'static str,
    /// Phone number or address (the delivery channel needs it in clear).
    pub to: String,
    pub customer_no: String,
    pub text: String,
}

// Messages carry one-time codes: keep them out of Debug output and logs.
impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notification")
            .field("channel", &self.channel)
            .field("customer_no", &self.customer_no)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("notification not delivered: {message}")]
pub struct NotifyError {
    pub message: String,
    /// Trying again cannot help (the number or address was refused).
    pub permanent: bool,
}

impl NotifyError {
    /// A failure worth retrying (the channel is down, busy or slow).
    pub fn retry(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
        }
    }
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
        }
    }
}

#[async_trait::async_trait]
pub trait Notifier: Send + Sync {
    async fn send(&self, n: &Notification) -> Result<(), NotifyError>;
}

/// Appends each notification as one JSON line to a file (the demo's "SMS gateway"). A key
/// already in the file is not written again, so the outbox's resend after a crash leaves one
/// line per message.
#[derive(Debug)]
pub struct LogFileNotifier {
    path: PathBuf,
    /// Keys in the file, read from it on the first send.
    seen: tokio::sync::Mutex<Option<HashSet<String>>>,
}

impl LogFileNotifier {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            seen: tokio::sync::Mutex::new(None),
        }
    }

    async fn keys_in_file(&self) -> Result<HashSet<String>, NotifyError> {
        #[derive(serde::Deserialize)]
        struct Keyed {
            key: Option<String>,
        }
        let text = match tokio::fs::read_to_string(&self.path).await {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(NotifyError::retry(format!("{}: {e}", self.path.display()))),
        };
        // A torn last line (a crash mid-write) is skipped, not fatal.
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str::<Keyed>(l).ok()?.key)
            .collect())
    }
}

#[async_trait::async_trait]
impl Notifier for LogFileNotifier {
    async fn send(&self, n: &Notification) -> Result<(), NotifyError> {
        use tokio::io::AsyncWriteExt;
        let mut line = serde_json::to_string(n).map_err(|e| NotifyError::retry(e.to_string()))?;
        line.push('\n');
        let mut seen = self.seen.lock().await;
        if seen.is_none() {
            *seen = Some(self.keys_in_file().await?);
        }
        let seen = seen.get_or_insert_default();
        if seen.contains(&n.key) {
            return Ok(());
        }
        let mut f = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await
            .map_err(|e| NotifyError::retry(format!("{}: {e}", self.path.display())))?;
        f.write_all(line.as_bytes())
            .await
            .map_err(|e| NotifyError::retry(e.to_string()))?;
        seen.insert(n.key.clone());
        Ok(())
    }
}

/// POSTs each notification as JSON to an SMS gateway, with the key in `Idempotency-Key`.
/// 2xx is delivered; 4xx other than 408 and 429 is a refusal for good; anything else (5xx,
/// timeouts, refused connections) is retried by the outbox.
#[derive(Debug, Clone)]
pub struct WebhookNotifier {
    url: String,
    client: reqwest::Client,
}

impl WebhookNotifier {
    pub fn new(url: impl Into<String>) -> Result<Self, NotifyError> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| NotifyError::permanent(e.to_string()))?;
        Ok(Self {
            url: url.into(),
            client,
        })
    }
}

#[async_trait::async_trait]
impl Notifier for WebhookNotifier {
    async fn send(&self, n: &Notification) -> Result<(), NotifyError> {
        let r = self
            .client
            .post(&self.url)
            .header("Idempotency-Key", &n.key)
            .json(n)
            .send()
            .await
            .map_err(|e| NotifyError::retry(format!("webhook: {e}")))?;
        let status = r.status();
        if status.is_success() {
            Ok(())
        } else if status.is_client_error() && status != 408 && status != 429 {
            Err(NotifyError::permanent(format!("webhook answered {status}")))
        } else {
            Err(NotifyError::retry(format!("webhook answered {status}")))
        }
    }
}

/// Sends e-mail through the company's relay, `Message-ID` derived from the key so the relay and
/// mail clients can drop a resend. TLS (rustls, the system's trusted roots) when the URL asks
/// for it: a relay that does not offer STARTTLS when it is required gets nothing in clear.
pub struct SmtpNotifier {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl std::fmt::Debug for SmtpNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpNotifier")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmtpNotifier {
    /// `url` is `smtp://[user:password@]host[:port]` (plain, port 25 by default),
    /// `smtp://…?tls=required` (STARTTLS, 587) or `smtps://…` (TLS from the start, 465);
    /// `from` an address. Errors never repeat the password.
    pub fn new(url: &str, from: &str) -> Result<Self, NotifyError> {
        let mut u = url::Url::parse(url)
            .map_err(|e| NotifyError::permanent(format!("SMTP URL {}: {e}", redacted(url))))?;
        if !matches!(u.scheme(), "smtp" | "smtps") {
            return Err(NotifyError::permanent(format!(
                "SMTP URL must start with smtp:// or smtps://, not {}:",
                u.scheme()
            )));
        }
        // lettre puts plain SMTP on the submission port; a company relay takes mail on 25.
        if u.scheme() == "smtp" && u.port().is_none() && !u.query_pairs().any(|(k, _)| k == "tls") {
            u.set_port(Some(25))
                .map_err(|()| NotifyError::permanent(format!("SMTP URL {}", redacted(url))))?;
        }
        let from = from
            .parse()
            .map_err(|e| NotifyError::permanent(format!("sender {from:?}: {e}")))?;
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(u.as_str())
            .map_err(|e| NotifyError::permanent(format!("SMTP URL {}: {e}", redacted(url))))?
            .timeout(Some(std::time::Duration::from_secs(15)))
            .build();
        Ok(Self { transport, from })
    }
}

/// A URL as it may be shown: without its password.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => match url.rsplit_once('@') {
            Some((_, host)) => format!("…@{host}"),
            None => url.to_owned(),
        },
    }
}

#[async_trait::async_trait]
impl Notifier for SmtpNotifier {
    async fn send(&self, n: &Notification) -> Result<(), NotifyError> {
        use lettre::AsyncTransport;
        let to =
            n.to.parse()
                .map_err(|e| NotifyError::permanent(format!("recipient: {e}")))?;
        let subject: String = n.text.chars().take(30).collect();
        let m = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{}@griddesk>", n.key)))
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(n.text.clone())
            .map_err(|e| NotifyError::permanent(e.to_string()))?;
        match self.transport.send(m).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(NotifyError::permanent(e.to_string())),
            Err(e) => Err(NotifyError::retry(e.to_string())),
        }
    }
}

/// Keeps notifications in memory (tests).
#[derive(Debug, Default)]
pub struct MemoryNotifier {
    pub sent: Mutex<Vec<Notification>>,
}

impl MemoryNotifier {
    pub fn take(&self) -> Vec<Notification> {
        std::mem::take(&mut *self.sent.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[async_trait::async_trait]
impl Notifier for MemoryNotifier {
    async fn send(&self, n: &Notification) -> Result<(), NotifyError> {
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(n.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_choose_plain_starttls_or_tls_and_never_show_the_password() {
        for ok in [
            "smtp://relay.example.cn",
            "smtp://relay.example.cn:2525",
            "smtp://mailer:s3cret@relay.example.cn?tls=required",
            "smtps://mailer:s3cret@relay.example.cn",
        ] {
            SmtpNotifier::new(ok, "95598@griddesk.example.cn").unwrap();
        }
        for (bad, says) in [
            (
                "http://mailer:s3cret@relay.example.cn",
                "smtp:// or smtps://",
            ),
            ("smtp://mailer:s3cret@relay.example.cn:99999", "SMTP URL"),
            (
                "smtp://mailer:s3cret@relay.example.cn?tls=sometimes",
                "SMTP URL",
            ),
            ("mailer:s3cret@relay", "SMTP URL"),
        ] {
            let e = SmtpNotifier::new(bad, "95598@griddesk.example.cn").unwrap_err();
            assert!(e.message.contains(says), "{bad}: {}", e.message);
            assert!(!e.message.contains("s3cret"), "{bad}: {}", e.message);
        }
        assert!(SmtpNotifier::new("smtp://relay.example.cn", "not an address").is_err());
    }
}
