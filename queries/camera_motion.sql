-- Camera motion: an MJPEG camera in, every 5th frame scored against the previous one, frames
-- with motion re-streamed over MJPEG (browser: http://127.0.0.1:8081/motion/view) and RTSP
-- (vlc rtsp://127.0.0.1:8554/motion), and one line per motion event on stdout.
-- Run it with ffmpeg as the camera (see the README's "Video and cameras"):
--   ffmpeg -re -f lavfi -i life=size=640x480:rate=25:ratio=0.5:mold=10 -c:v mjpeg \
--          -huffman 0 -pix_fmt yuvj420p -f mpjpeg -listen 1 http://127.0.0.1:8090/cam.mjpg
-- (RTP/JPEG carries 4:2:0 or 4:2:2 baseline JPEGs with the standard Huffman tables, hence
-- -huffman 0 -pix_fmt yuvj420p; `life` moves enough to pass the motion threshold.)
--   eventflux run queries/camera_motion.sql
@app:name('CameraMotion')

@source(type='mjpeg', url='${CAMERA_URL:http://127.0.0.1:8090/cam.mjpg}', processing.factor='5')
CREATE STREAM Frames (frame BYTES, frame_number BIGINT);

-- Each sampled frame with its motion score: the mean luma difference to the frame before.
INSERT INTO Scored
SELECT e2.frame AS frame, e2.frame_number AS frame_number,
       frame_diff(e1.frame, e2.frame) AS motion
FROM PATTERN (every e1=Frames -> e2=Frames);

@sink(type='mjpeg', port='8081', path='/motion')
@sink(type='rtsp', port='8554', path='/motion', media='video')
CREATE STREAM Moving (frame BYTES);

@sink(type='stdout')
CREATE STREAM Motion (frame_number BIGINT, width INT, height INT, brightness DOUBLE);

INSERT INTO Moving SELECT frame FROM Scored WHERE motion > 8.0;

INSERT INTO Motion
SELECT frame_number, jpeg_width(frame) AS width, jpeg_height(frame) AS height,
       round(image_luma(frame)) AS brightness
FROM Scored WHERE motion > 8.0;
