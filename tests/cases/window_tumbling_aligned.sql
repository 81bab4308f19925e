-- TUMBLING batches fall on clock boundaries (the epoch grid); timeBatch keeps Siddhi's batches
-- that start at the first event. window_start() / window_end() give each row's batch.
@app:playback
CREATE STREAM S (v INT);
INSERT INTO Clock SELECT count() AS n, window_start() AS ws, window_end() AS we FROM S WINDOW TUMBLING(1 SECOND);
INSERT INTO FirstEvent SELECT count() AS n, window_start() AS ws, window_end() AS we FROM S WINDOW('timeBatch', 1 SECOND);
