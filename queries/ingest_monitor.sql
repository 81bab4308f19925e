-- Ingest monitor: cameras push H.264 or HEVC over SRT; every keyframe is archived to Parquet,
-- each stream's frame rate and bitrate are measured every second, and a stream that stays
-- below 20 fps or 1 Mbit/s for 10 seconds raises an alert. The source's stats stream reports
-- each stream's health every 5 seconds: lossy intervals and closed streams are printed.
-- Run:  SRT_PASS=change-me-please eventflux run queries/ingest_monitor.sql
-- Push: ffmpeg -re -f lavfi -i testsrc=size=1280x720:rate=25 -c:v libx264 -g 25 -f mpegts \
--         'srt://127.0.0.1:30000?mode=caller&streamid=cam1&passphrase=change-me-please&pbkeylen=16'
@app:name('IngestMonitor')

@source(type='srt', port='30000', latency.ms='120', passphrase='${SRT_PASS:change-me-please}',
        max.connections='25', stats.stream='IngestStats', stats.interval='5 sec')
CREATE STREAM Camera (stream_id STRING, keyframe BOOL, pts BIGINT, width INT, height INT,
                      bytes INT, data BYTES);

CREATE STREAM IngestStats (stream_id STRING, state STRING, fps DOUBLE, bitrate_bps BIGINT,
                           loss_pct DOUBLE, frames BIGINT);

@sink(type='stdout')
CREATE STREAM StreamEvents (stream_id STRING, state STRING, loss_pct DOUBLE, frames BIGINT);

@sink(type='parquet', path='${ARCHIVE_DIR:-archive}/keyframes', rotation='hourly',
      partition.by='stream_id')
CREATE STREAM Keyframes (stream_id STRING, pts BIGINT, width INT, height INT, data BYTES);

@sink(type='stdout')
CREATE STREAM Alerts (stream_id STRING, fps BIGINT, bitrate_bps BIGINT);

@info(name='archive-keyframes')
INSERT INTO Keyframes
SELECT stream_id, pts, width, height, data FROM Camera WHERE keyframe;

@info(name='health')
INSERT INTO Health
SELECT stream_id, count() AS fps, sum(bytes) * 8 AS bitrate_bps
FROM Camera WINDOW('timeBatch', 1 sec)
GROUP BY stream_id;

-- A bad second not followed by a good one within 10 seconds.
@info(name='degraded')
INSERT INTO Alerts
SELECT h.stream_id AS stream_id, h.fps AS fps, h.bitrate_bps AS bitrate_bps
FROM PATTERN (every h=Health[fps < 20 OR bitrate_bps < 1000000]
              -> not Health[stream_id = h.stream_id AND fps >= 20 AND bitrate_bps >= 1000000]
                 for 10 sec);

@info(name='lossy-or-closed')
INSERT INTO StreamEvents
SELECT stream_id, state, loss_pct, frames FROM IngestStats
WHERE loss_pct > 2.0 OR state = 'closed';
