"""GStreamer's RTSP server as a camera for our rtsp source: serves test patterns and a tone at
rtsp://127.0.0.1:PORT/{mjpeg,h264,h265,l16}. Prints READY once listening.

Run with Debian's /usr/bin/python3 (GObject introspection is installed for it):
  /usr/bin/python3 tests/peers/gst_rtsp.py --port 8554
"""
import argparse

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

VIDEO = "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=25/1"
PIPELINES = {
    "/mjpeg": f"( {VIDEO} ! videoconvert ! video/x-raw,format=I420 ! jpegenc ! rtpjpegpay name=pay0 pt=26 )",
    "/h264": f"( {VIDEO} ! x264enc tune=zerolatency key-int-max=25 ! rtph264pay name=pay0 pt=96 config-interval=1 )",
    "/h265": f"( {VIDEO} ! x265enc tune=zerolatency key-int-max=25 ! rtph265pay name=pay0 pt=96 config-interval=1 )",
    "/l16": "( audiotestsrc is-live=true freq=440 ! audio/x-raw,format=S16BE,rate=16000,channels=1 ! rtpL16pay name=pay0 pt=96 )",
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", required=True)
    args = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(args.port)
    mounts = server.get_mount_points()
    for path, launch in PIPELINES.items():
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch)
        factory.set_shared(True)
        mounts.add_factory(path, factory)
    if server.attach(None) == 0:
        raise SystemExit(f"cannot listen on port {args.port}")
    print("READY", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
