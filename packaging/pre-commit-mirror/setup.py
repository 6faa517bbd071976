# A hook repository only pulls in the podlint wheel; pre-commit installs it
# into the hook's virtualenv with pip.
from setuptools import setup

setup(name="podlint-pre-commit", version="0.1.0", install_requires=["podlint==0.1.0"], py_modules=[])
