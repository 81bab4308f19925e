@app:playback
CREATE STREAM S (v INT);
INSERT ALL EVENTS INTO Out SELECT count() AS n FROM S WINDOW('timeLength', 1 SECOND, 2);
