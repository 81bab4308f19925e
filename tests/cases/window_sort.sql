CREATE STREAM T (symbol STRING, price DOUBLE);
INSERT ALL EVENTS INTO Out SELECT price FROM T WINDOW('sort', 2, price, 'desc');
