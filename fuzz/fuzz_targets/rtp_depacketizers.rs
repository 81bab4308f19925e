#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eventflux::fuzz::rtp_depacketizers(data));
