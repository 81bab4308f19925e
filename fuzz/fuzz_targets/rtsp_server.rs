#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| eventflux::fuzz::rtsp_server(data));
