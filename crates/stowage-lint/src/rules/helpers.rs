//! Helpers several rules share.
