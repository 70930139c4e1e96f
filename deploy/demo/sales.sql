-- Demo master data for sales: customers, products, price list with quantity tiers and one
-- contract price. Idempotent. Loaded by `make run` (deploy/local/services.sh) as role sales.
INSERT INTO customers (code, name, currency, allows_price_override) VALUES
    ('C-1001', 'Huadong Building Supplies', 'CNY', false),
    ('C-1002', 'Lingnan Trading Co.', 'CNY', true),
    ('C-2001', 'Pacific Parts Ltd.', 'USD', false)
ON CONFLICT (code) DO NOTHING;
INSERT INTO products (sku, name) VALUES
    ('SKU-001', 'Steel bracket, 40 mm'),
    ('SKU-002', 'Hinge, stainless'),
    ('SKU-003', 'Cable tray, 2 m')
ON CONFLICT (sku) DO NOTHING;
INSERT INTO price_tiers (sku, currency, min_quantity, unit_price) VALUES
    ('SKU-001', 'CNY', 1, 1250), ('SKU-001', 'CNY', 100, 1100),
    ('SKU-002', 'CNY', 1, 480),  ('SKU-002', 'CNY', 500, 420),
    ('SKU-003', 'CNY', 1, 8900),
    ('SKU-001', 'USD', 1, 180),  ('SKU-002', 'USD', 1, 70)
ON CONFLICT DO NOTHING;
INSERT INTO contract_prices (customer_code, sku, unit_price) VALUES ('C-1001', 'SKU-003', 8200)
ON CONFLICT DO NOTHING;
