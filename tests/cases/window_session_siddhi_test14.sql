-- Siddhi: SessionWindowTestCase.testSessionWindow14
@app:playback
-- session(2 sec, user, allowed latency 1 sec): the first session ends at 3001 and waits 1 s for late events
-- (events stamped before its end); 103/104 at 3006 are not late, they open a new session. The first session
-- expires at 4001, the second at 6007 (4 in, 4 removed).
-- The test sends doubles into the FLOAT price; they are written as the float values.
CREATE STREAM purchaseEventStream (user STRING, item_number INT, price FLOAT, quantity INT);
INSERT ALL EVENTS INTO outputStream SELECT * FROM purchaseEventStream WINDOW('session', 2 SEC, user, 1 SEC);
