//! Local services the test suite needs, started by `cargo xtask ci` before the `test` step and
//! stopped after it, whether the tests pass or fail.
//!
//! Nothing is started yet: no crate has tests against a real server so far. As the adapters
//! arrive (SPEC §11), each service gets its start and stop here — `redis-server`, a Mongo-wire
//! server and `moto_server` — each bound to 127.0.0.1 on a free port, waited on until it answers,
//! installed first when it is missing, and handed to the tests through environment variables.
//! The place in the run order is marked in [`crate::ci`].
