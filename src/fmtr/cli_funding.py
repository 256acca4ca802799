def register(app):  # placeholder
    pass
