@app:playback
CREATE STREAM S (v INT);
INSERT INTO Out SELECT count() AS n, sum(v) AS total FROM S WINDOW('cron', '*/1 * * * * *');
