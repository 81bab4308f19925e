-- Siddhi: SessionWindowTestCase.testSessionWindow13
@app:playback
-- Sessions of two users: user0's expires first, then user1's (4 in, 4 removed).
-- The test sends doubles into the FLOAT price; they are written as the float values.
CREATE STREAM purchaseEventStream (user STRING, item_number INT, price FLOAT, quantity INT);
INSERT ALL EVENTS INTO outputStream SELECT * FROM purchaseEventStream WINDOW('session', 1 SEC, user);
