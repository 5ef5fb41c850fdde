//! What every handler shares: the [`Auth`] handle and the posts.

use authjwt::Auth;

use crate::posts::Posts;

/// The state of the demo app. Clone it before passing it to [`app`](crate::app) to keep a
/// handle on the posts (the tests count them).
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let state = authjwt_demo::AppState::new(auth);
/// let router = authjwt_demo::app(state.clone());
/// assert!(state.posts.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct AppState {
    /// The configuration, token creation and checks.
    pub auth: Auth,
    /// The posts created through `POST /posts`.
    pub posts: Posts,
}

impl AppState {
    /// A state with no posts.
    pub fn new(auth: Auth) -> Self {
        Self {
            auth,
            posts: Posts::new(),
        }
    }
}
