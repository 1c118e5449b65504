# swagger-ui-bundle-v2 ships no type information: the one name the app uses.
from pathlib import Path

swagger_ui_path: Path
