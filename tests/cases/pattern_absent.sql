-- Absent elements: `not B[cond] for t` fires on the clock when no such B came in time (under
-- playback too); `not B[cond] and e=C` matches C unless such a B came first. B kills the attempt.
CREATE STREAM Orders (id INT);
CREATE STREAM Payments (order_id INT);
CREATE STREAM Shipments (order_id INT);
CREATE STREAM Unpaid (id INT);
CREATE STREAM ShippedUnpaid (id INT);
INSERT INTO Unpaid SELECT o.id AS id
FROM PATTERN (every o=Orders -> not Payments[order_id = o.id] for 1 sec);
INSERT INTO ShippedUnpaid SELECT o.id AS id
FROM PATTERN (every o=Orders -> not Payments[order_id = o.id] and s=Shipments[order_id = o.id]);
-- `every` on a later absent element: met again after each further quiet period, until a
-- payment comes.
CREATE STREAM Reminders (id INT);
INSERT INTO Reminders SELECT o.id AS id
FROM PATTERN (every o=Orders -> every not Payments[order_id = o.id] for 1 sec);
