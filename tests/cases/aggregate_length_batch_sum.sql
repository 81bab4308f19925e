CREATE STREAM S (price DOUBLE);
INSERT INTO Out SELECT sum(price) AS total FROM S WINDOW('lengthBatch', 4);
