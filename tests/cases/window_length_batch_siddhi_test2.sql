-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest2
@app:playback
-- Six events: the first batch of 4 is emitted in order; events 5 and 6 stay in the open batch.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT INTO outputStream SELECT symbol, price, volume FROM cseEventStream WINDOW('lengthBatch', 4);
