-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest7
@app:playback
-- All events, but an aggregation over a batch emits one row per batch, the batch's last event
-- (never an expired row: the test asserts no event is expired); sums 100.0 and 240.0.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, sum(price) AS sumPrice, volume FROM cseEventStream WINDOW('lengthBatch', 4);
