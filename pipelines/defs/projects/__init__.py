"""The project pipeline (seeds data/seeds/projects.csv and friends) and its checks; the marts
built on it (capacity_outlook, refined_origin) are SQL models in sql/marts/."""
