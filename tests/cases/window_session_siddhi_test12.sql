-- Siddhi: SessionWindowTestCase.testSessionWindow12
@app:playback
-- Two sessions of one user 1.5 s apart: each expires 1 s after its last event (4 in, 4 removed).
-- The test sends doubles into the FLOAT price; they are written as the float values.
CREATE STREAM purchaseEventStream (user STRING, item_number INT, price FLOAT, quantity INT);
INSERT ALL EVENTS INTO outputStream SELECT * FROM purchaseEventStream WINDOW('session', 1 SEC, user);
