"""Store pages (shop sign, sub-pages, promotion zones and their variants, custom modules, blog
posts) and page redesign proposals (R2.3, R2.4, R2.12, R3.5)."""
