//! Recording publishers: they keep everything they are sent so tests can assert exactly what
//! would have gone out, and can be switched to fail to simulate an outage.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use campaign_domain::messages::OutboundEvent;
use campaign_ports::{
    ArtistExtensionFile, ArtistExtensionStore, BatchOutcome, CampaignDataStream, CdnPurger,
    IntegrationError, MessageQueue,
};

/// What every recording publisher shares: the recorded items and an outage switch.
#[derive(Debug)]
struct Recorder<T> {
    items: Mutex<Vec<T>>,
    down: AtomicBool,
}

impl<T: Clone> Recorder<T> {
    fn new() -> Self {
        Self {
            items: Mutex::new(Vec::new()),
            down: AtomicBool::new(false),
        }
    }

    fn accept(&self, new: impl IntoIterator<Item = T>) -> Result<(), IntegrationError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(IntegrationError::Transient("simulated outage".to_owned()));
        }
        self.items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(new);
        Ok(())
    }

    fn items(&self) -> Vec<T> {
        self.items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

macro_rules! recording {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name(Recorder<$item>);

        impl Default for $name {
            fn default() -> Self {
                Self(Recorder::new())
            }
        }

        impl $name {
            /// Everything accepted so far, in order.
            pub fn sent(&self) -> Vec<$item> {
                self.0.items()
            }

            /// Simulates an outage (`true`) or a recovery (`false`).
            pub fn set_down(&self, down: bool) {
                self.0.down.store(down, Ordering::SeqCst);
            }
        }
    };
}

recording!(
    /// A campaign data stream that records the events it is sent.
    RecordingStream,
    OutboundEvent
);
recording!(
    /// A message queue that records the events it is sent.
    RecordingQueue,
    OutboundEvent
);
recording!(
    /// A CDN that records the surrogate keys it is asked to purge, one list per call.
    RecordingCdn,
    Vec<String>
);
recording!(
    /// An artist-extension store that records the files it is asked to write.
    RecordingArtistStore,
    ArtistExtensionFile
);

#[async_trait]
impl CampaignDataStream for RecordingStream {
    async fn put_records(
        &self,
        events: &[OutboundEvent],
    ) -> Result<BatchOutcome, IntegrationError> {
        self.0
            .accept(events.iter().cloned())
            .map(|()| BatchOutcome::default())
    }
}

#[async_trait]
impl MessageQueue for RecordingQueue {
    async fn send_batch(&self, events: &[OutboundEvent]) -> Result<BatchOutcome, IntegrationError> {
        self.0
            .accept(events.iter().cloned())
            .map(|()| BatchOutcome::default())
    }
}

#[async_trait]
impl CdnPurger for RecordingCdn {
    async fn purge(&self, surrogate_keys: &[String]) -> Result<(), IntegrationError> {
        self.0.accept([surrogate_keys.to_vec()])
    }
}

#[async_trait]
impl ArtistExtensionStore for RecordingArtistStore {
    async fn write(&self, file: &ArtistExtensionFile) -> Result<(), IntegrationError> {
        self.0.accept([file.clone()])
    }
}
