-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest22
@app:playback
-- lengthBatch(3, true), all events, count(): 9 rows, counts 1,2,3 per batch; the arrival that expires a
-- batch emits only itself (the chunk's last event), so no expired rows.
-- Siddhi sends the 9 events as one Event[]; the window emits one chunk per event, so the result is the same.
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
INSERT ALL EVENTS INTO outputStream SELECT symbol, price, count() AS total FROM cseEventStream WINDOW('lengthBatch', 3, true);
