@app:playback
CREATE STREAM S (v INT);
INSERT INTO Out SELECT count() AS n, sum(v) AS total FROM S WINDOW TUMBLING(1 SECOND);
