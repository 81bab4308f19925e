-- Order fulfilment watch: patterns that fire on what did NOT happen.
-- Run: cargo run --release -- run queries/order_watch.sql
@app:name('OrderWatch')

@source(type='datagen', rate='10', count='100', fields.id.min='1')
CREATE STREAM Orders (id INT);

@source(type='datagen', rate='8', count='80',
        fields.order_id.kind='random', fields.order_id.min='1', fields.order_id.max='100')
CREATE STREAM Payments (order_id INT);

@source(type='datagen', rate='8', count='80',
        fields.order_id.kind='random', fields.order_id.min='1', fields.order_id.max='100')
CREATE STREAM Shipments (order_id INT);

@sink(type='stdout')
CREATE STREAM Reminders (id INT, at BIGINT);

@sink(type='stdout')
CREATE STREAM ShippedUnpaid (id INT);

@sink(type='stdout')
CREATE STREAM Silence (at BIGINT);

-- A reminder for each further second an order stays unpaid, for 3 seconds at most.
@info(name='reminders')
INSERT INTO Reminders
SELECT o.id AS id, event_timestamp() AS at
FROM PATTERN (every o=Orders -> every not Payments[order_id = o.id] for 1 sec)
WITHIN 3 SECONDS;

-- Shipped before any payment came.
@info(name='shipped-unpaid')
INSERT INTO ShippedUnpaid
SELECT o.id AS id
FROM PATTERN (every o=Orders -> s=Shipments[order_id = o.id] and not Payments[order_id = o.id])
WITHIN 10 SECONDS;

-- A heartbeat for every 2 seconds without a single order.
@info(name='silence')
INSERT INTO Silence
SELECT event_timestamp() AS at
FROM PATTERN (every not Orders for 2 SECONDS);
