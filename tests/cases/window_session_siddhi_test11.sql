-- Siddhi: SessionWindowTestCase.testSessionWindow11
@app:playback
-- session(1 sec, user): both events, then the session expires 1 s after the last (2 in, 2 removed).
-- The test sends doubles into the FLOAT price; they are written as the float values.
CREATE STREAM purchaseEventStream (user STRING, item_number INT, price FLOAT, quantity INT);
INSERT ALL EVENTS INTO outputStream SELECT * FROM purchaseEventStream WINDOW('session', 1 SEC, user);
