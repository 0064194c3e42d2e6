//! Messages to customers (one-time codes now; outage notices later). A [`Notifier`] delivers
//! them: the demo and development default appends to a notification log file, the stand-in for an
//! SMS gateway; tests keep them in memory.

use serde::Serialize;
use std::path::PathBuf;
use std::sync::Mutex;

/// One message to one recipient.
#[derive(Clone, Serialize)]
pub struct Notification {
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
#[error("notification not delivered: {0}")]
pub struct NotifyError(pub String);

#[async_trait::async_trait]
pub trait Notifier: Send + Sync {
    async fn send(&self, n: &Notification) -> Result<(), NotifyError>;
}

/// Appends each notification as one JSON line to a file (the demo's "SMS gateway").
#[derive(Debug)]
pub struct LogFileNotifier {
    path: PathBuf,
    lock: tokio::sync::Mutex<()>,
}

impl LogFileNotifier {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            lock: tokio::sync::Mutex::new(()),
        }
    }
}

#[async_trait::async_trait]
impl Notifier for LogFileNotifier {
    async fn send(&self, n: &Notification) -> Result<(), NotifyError> {
        use tokio::io::AsyncWriteExt;
        let mut line = serde_json::to_string(n).map_err(|e| NotifyError(e.to_string()))?;
        line.push('\n');
        let _guard = self.lock.lock().await;
        let mut f = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await
            .map_err(|e| NotifyError(format!("{}: {e}", self.path.display())))?;
        f.write_all(line.as_bytes())
            .await
            .map_err(|e| NotifyError(e.to_string()))
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
