#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eventflux::fuzz::media_parsers(data));
