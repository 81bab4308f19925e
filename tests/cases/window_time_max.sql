@app:playback
CREATE STREAM S (symbol STRING, price DOUBLE);
INSERT ALL EVENTS INTO Out SELECT max(price) AS mp FROM S WINDOW('time', 1 SECOND);
