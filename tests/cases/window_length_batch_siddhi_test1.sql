-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest1
@app:playback
-- Two events never fill a batch of 4: nothing is emitted (the Siddhi test shuts down without a flush).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('lengthBatch', 4);
