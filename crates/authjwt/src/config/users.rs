//! The user lookups a configuration holds, type-erased: at most one per user type. What they
//! are and how they are called is `user.rs`'s business; the configuration only stores them.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// One registered lookup, with the type names it is shown by.
#[derive(Clone)]
struct Registered {
    lookup: Arc<dyn Any + Send + Sync>,
    user_type: &'static str,
    lookup_type: &'static str,
}

/// The lookups registered with [`ConfigBuilder::user_lookup`](crate::ConfigBuilder::user_lookup),
/// at most one per stored type. Cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct UserLookups(Vec<Registered>);

impl UserLookups {
    /// Stores `lookup`, replacing the one of the same type stored before.
    pub(crate) fn insert<T: Any + Send + Sync>(
        &mut self,
        lookup: T,
        user_type: &'static str,
        lookup_type: &'static str,
    ) {
        self.0.retain(|r| !r.lookup.is::<T>());
        self.0.push(Registered {
            lookup: Arc::new(lookup),
            user_type,
            lookup_type,
        });
    }

    /// The lookup stored as a `T`, if any: a checked downcast to exactly `T`.
    pub(crate) fn get<T: Any>(&self) -> Option<&T> {
        self.0.iter().find_map(|r| r.lookup.downcast_ref::<T>())
    }
}

impl fmt::Debug for UserLookups {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|r| (r.user_type, r.lookup_type)))
            .finish()
    }
}
