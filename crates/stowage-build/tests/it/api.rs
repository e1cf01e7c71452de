//! Docker-shaped API.
