-- Siddhi: SessionWindowTestCase.testSessionWindow20
@app:playback
-- session(1 sec, user) with avg and sum grouped by user, current events only: 4 rows.
CREATE STREAM purchaseEventStream (user STRING, item_number INT, price DOUBLE, quantity INT);
INSERT INTO outputStream SELECT user, avg(price) AS avgPrice, sum(price) AS totPrice FROM purchaseEventStream WINDOW('session', 1 SEC, user) GROUP BY user;
