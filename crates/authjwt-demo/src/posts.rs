//! The in-memory posts that `POST /posts` creates; tests count them to prove that a forged
//! request created nothing.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

/// A created post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// Who created it (the token's subject).
    pub author: String,
    /// The `title` of the request body, if it had one.
    pub title: Option<String>,
}

/// The most posts kept; older ones are dropped, so memory stays bounded.
pub const MAX_POSTS: usize = 1000;

/// The shared list of posts.
#[derive(Debug, Clone, Default)]
pub struct Posts {
    inner: Arc<Mutex<VecDeque<Post>>>,
}

impl Posts {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a post.
    pub fn add(&self, post: Post) {
        let mut posts = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if posts.len() >= MAX_POSTS {
            posts.pop_front();
        }
        posts.push_back(post);
    }

    /// A copy of every post, oldest first.
    pub fn all(&self) -> Vec<Post> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// How many posts there are.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
