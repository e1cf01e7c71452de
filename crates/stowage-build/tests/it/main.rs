//! Integration tests: scenario folders (a Dockerfile, a context, a sequence of edits and
//! builds with expected HIT/MISS and reasons), the docker-shaped API, and properties of cache
//! keys.

mod api;
mod catalogue;
mod checksums;
mod props;
mod scenarios;
mod util;
