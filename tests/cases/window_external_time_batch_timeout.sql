@app:playback
CREATE STREAM R (t BIGINT, v INT);
INSERT INTO Out SELECT sum(v) AS total FROM R WINDOW('externalTimeBatch', t, 1 SECOND, 0, 500 MILLISECONDS);
