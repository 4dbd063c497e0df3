-- The shop of seed 001 as a small SQLite database, for `scripts/demo-requests.sh`.
PRAGMA foreign_keys = ON;
CREATE TABLE customers (
  id INTEGER PRIMARY KEY, email VARCHAR(120) NOT NULL, name VARCHAR(80) NOT NULL,
  phone VARCHAR(20), newsletter BOOLEAN NOT NULL, last_ip VARCHAR(45));
CREATE TABLE orders (
  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
  placed_at DATE NOT NULL, delivery_address VARCHAR(200), total DECIMAL(10, 2) NOT NULL);
CREATE TABLE invoices (
  id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),
  issued_on DATE NOT NULL, billed_name VARCHAR(80) NOT NULL, amount DECIMAL(10, 2) NOT NULL);
CREATE TABLE reviews (
  id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
  body VARCHAR(500) NOT NULL);
INSERT INTO customers VALUES
  (1, 'Marie@Example.fr', 'Marie Curie', '0612345678', 1, '192.0.2.10'),
  (2, 'paul@example.fr', 'Paul Dubois', NULL, 0, NULL),
  (3, 'lea@example.fr', 'Léa Martin', '0698765432', 1, '198.51.100.7');
INSERT INTO orders VALUES
  (10, 1, '2025-03-02', '1 rue de la Paix, Paris', 42.50),
  (11, 1, '2026-10-01', '1 rue de la Paix, Paris', 12.00),
  (20, 2, '2025-06-01', '5 quai Voltaire, Lyon', 99.90);
INSERT INTO invoices VALUES
  (100, 10, '2025-03-02', 'Marie Curie', 42.50),
  (200, 20, '2025-06-01', 'Paul Dubois', 99.90);
INSERT INTO reviews VALUES (1000, 1, 'Très bien'), (1001, 3, 'Parfait');
