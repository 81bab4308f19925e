-- Absent elements in and/or pairs, as in Siddhi (the absent element may come first or second):
-- `not P for t and e=S`: no P within t of the step starting, and an S (met when both are).
-- `not P for t or e=C`: whichever comes first, t without P or a C; a P only rules out the
--   quiet branch.
-- `e=S and not P`: an S with no P before it.
-- `not P for t1 and not C for t2`: both quiet periods pass (met at the later one).
-- `not P for t1 or not S for t2`: the first quiet period to pass.
@app:playback
CREATE STREAM Orders (id INT);
CREATE STREAM Payments (order_id INT);
CREATE STREAM Cancels (order_id INT);
CREATE STREAM Ships (order_id INT);
CREATE STREAM ShippedUnpaid (id INT);
CREATE STREAM UnpaidOrCancelled (id INT, cancelled INT);
CREATE STREAM ShippedBeforePaying (id INT, shipped INT);
CREATE STREAM Stuck (id INT);
CREATE STREAM Slow (id INT);
INSERT INTO ShippedUnpaid SELECT o.id AS id
FROM PATTERN (every o=Orders -> not Payments[order_id = o.id] for 1 sec
                                and s=Ships[order_id = o.id]);
INSERT INTO UnpaidOrCancelled SELECT o.id AS id, c.order_id AS cancelled
FROM PATTERN (every o=Orders -> not Payments[order_id = o.id] for 1 sec
                                or c=Cancels[order_id = o.id]);
INSERT INTO ShippedBeforePaying SELECT o.id AS id, s.order_id AS shipped
FROM PATTERN (every o=Orders -> s=Ships[order_id = o.id] and not Payments[order_id = o.id]);
INSERT INTO Stuck SELECT o.id AS id
FROM PATTERN (every o=Orders -> not Payments[order_id = o.id] for 1 sec
                                and not Cancels[order_id = o.id] for 2 sec);
INSERT INTO Slow SELECT o.id AS id
FROM PATTERN (every o=Orders -> not Payments[order_id = o.id] for 1 sec
                                or not Ships[order_id = o.id] for 2 sec);
