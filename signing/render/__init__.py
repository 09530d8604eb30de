"""Render PDFs with reportlab: the commitment, the seal's stamp, the evidence certificate."""
