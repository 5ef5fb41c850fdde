//! The in-memory posts that `POST /posts` creates; tests count them to prove that a forged
//! request created nothing. Each new post is also announced to the subscribers of
//! [`Posts::subscribe`] (the `GET /ws` sockets).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::broadcast;

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

/// How many new posts a subscriber may fall behind by before it misses the oldest ones.
pub const FEED_CAPACITY: usize = 64;

/// The shared list of posts, and the feed of new ones.
#[derive(Debug, Clone)]
pub struct Posts {
    inner: Arc<Mutex<VecDeque<Post>>>,
    created: broadcast::Sender<Post>,
}

impl Default for Posts {
    fn default() -> Self {
        Self {
            inner: Arc::default(),
            created: broadcast::channel(FEED_CAPACITY).0,
        }
    }
}

impl Posts {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a post and announces it to the subscribers.
    pub fn add(&self, post: Post) {
        let mut posts = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if posts.len() >= MAX_POSTS {
            posts.pop_front();
        }
        posts.push_back(post.clone());
        // Under the lock, so subscribers get posts in the list's order. No subscriber is
        // no error.
        let _ = self.created.send(post);
    }

    /// The posts added from now on, in order. A subscriber more than [`FEED_CAPACITY`]
    /// posts behind misses the oldest of them.
    ///
    /// ```
    /// use authjwt_demo::posts::{Post, Posts};
    /// let posts = Posts::new();
    /// let mut feed = posts.subscribe();
    /// posts.add(Post { author: "user1".into(), title: Some("hi".into()) });
    /// assert_eq!(feed.try_recv().unwrap().title.as_deref(), Some("hi"));
    /// ```
    pub fn subscribe(&self) -> broadcast::Receiver<Post> {
        self.created.subscribe()
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
